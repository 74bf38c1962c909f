-- Annex A list 3: referrals. From the CIN census (or SSD extract): referrals in the six months
-- to 31 March of the latest collection year loaded. Referrals in the last 12 months are counted
-- over the collection year when the list does not carry them.
SELECT e.cine_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       e.cine_referral_date AS "Date of referral",
       e.cine_referral_source_code AS "Referral Source",
       e.cine_referral_nfa AS "Referral NFA?",
       COALESCE(e.cine_referrals_last_12m,
                (SELECT COUNT(DISTINCT r.cine_referral_date)
                 FROM ssd_cin_episodes r
                 WHERE r.hw_load_id = e.hw_load_id
                   AND r.cine_person_id = e.cine_person_id
                   AND EXTRACT(YEAR FROM r.cine_referral_date) * 100 + EXTRACT(MONTH FROM r.cine_referral_date)
                       BETWEEN (y.cy - 1) * 100 + 4 AND y.cy * 100 + 3)) AS "Number of Referrals in Last 12 Months",
       e.cine_referral_team AS "Allocated Team",
       e.cine_referral_worker_id AS "Allocated Worker"
FROM ssd_cin_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_cin_episodes e2 JOIN hw_loads l2 ON l2.load_id = e2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = e.cine_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date)
      BETWEEN (y.cy - 1) * 100 + 10 AND y.cy * 100 + 3
ORDER BY e.cine_referral_date, e.cine_person_id
