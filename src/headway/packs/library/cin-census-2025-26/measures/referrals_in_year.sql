-- Referrals to children's social care in the collection year (CIN census): distinct child and
-- referral date.
SELECT r.period AS period,
       COUNT(*) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, e.cine_person_id, e.cine_referral_date
    FROM ssd_cin_episodes e
    JOIN hw_loads l ON l.load_id = e.hw_load_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
) r
GROUP BY r.period
