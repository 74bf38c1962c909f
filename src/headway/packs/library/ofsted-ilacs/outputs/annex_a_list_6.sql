-- Annex A list 6: children in need. From the CIN census (or SSD extract): episodes of need open
-- at any time in the six months to 31 March of the latest collection year loaded, leaving out
-- referrals closed with no further action.
SELECT e.cine_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(e.cine_child_disability, d.disabled) AS "Does the Child have a Disability",
       e.cine_referral_date AS "CIN Start Date",
       e.cine_cin_primary_need_code AS "Primary Need Code",
       e.cine_date_last_seen AS "Date Child Was Last Seen",
       e.cine_close_date AS "CIN Closure Date",
       e.cine_close_reason AS "Reason for Closure",
       e.cine_case_status AS "Case Status",
       e.cine_referral_team AS "Allocated Team",
       e.cine_referral_worker_id AS "Allocated Worker"
FROM ssd_cin_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_cin_episodes e2 JOIN hw_loads l2 ON l2.load_id = e2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = e.cine_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = e.cine_person_id
WHERE l.source_return <> 'annex_a'
  AND LOWER(COALESCE(e.cine_referral_nfa, '')) NOT IN ('1', 'true', 'y', 'yes')
  AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date) <= y.cy * 100 + 3
  AND (e.cine_close_date IS NULL
       OR EXTRACT(YEAR FROM e.cine_close_date) * 100 + EXTRACT(MONTH FROM e.cine_close_date) >= (y.cy - 1) * 100 + 10)
ORDER BY e.cine_referral_date, e.cine_person_id
