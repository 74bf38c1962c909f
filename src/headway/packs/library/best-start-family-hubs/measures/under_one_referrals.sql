-- Referrals in the collection year (CIN census) of babies under one at the referral, or unborn
-- (no date of birth yet, or an expected date of birth only).
SELECT r.period AS period,
       COUNT(*) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, e.cine_person_id, e.cine_referral_date
    FROM ssd_cin_episodes e
    JOIN hw_loads l ON l.load_id = e.hw_load_id
    JOIN ssd_person p ON p.hw_load_id = e.hw_load_id AND p.pers_person_id = e.cine_person_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
      AND ((p.pers_dob IS NULL AND p.pers_expected_dob IS NOT NULL)
           OR p.pers_dob > e.cine_referral_date
           OR date_diff('day', p.pers_dob, e.cine_referral_date) < 365)
) r
GROUP BY r.period
