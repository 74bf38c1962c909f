-- Annex A list 7: child protection. From the CIN census (or SSD extract): plans open at any time
-- in the six months to 31 March of the latest collection year loaded. The latest review
-- conference and last statutory visit come from the review and visit records when the list
-- does not carry them.
SELECT c.cppl_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(c.cppl_child_disability, d.disabled) AS "Does the Child have a Disability",
       c.cppl_cp_plan_start_date AS "Child Protection Plan Start Date",
       c.cppl_cp_plan_initial_category AS "Initial Category of Abuse",
       c.cppl_cp_plan_latest_category AS "Latest Category of Abuse",
       COALESCE(c.cppl_last_statutory_visit_date,
                (SELECT MAX(v.cppv_cp_visit_date) FROM ssd_cp_visits v
                 WHERE v.cppv_person_id = c.cppl_person_id
                   AND v.cppv_cp_visit_date >= c.cppl_cp_plan_start_date)) AS "Date of the Last Statutory Visit",
       c.cppl_last_visit_seen_alone AS "Was the Child Seen Alone?",
       COALESCE(c.cppl_latest_review_date,
                (SELECT MAX(r.cppr_cp_review_date) FROM ssd_cp_reviews r
                 WHERE r.hw_load_id = c.hw_load_id
                   AND r.cppr_cp_plan_id = c.cppl_cp_plan_id)) AS "Date of latest review conference",
       c.cppl_cp_plan_end_date AS "Child Protection Plan End Date",
       c.cppl_epo_or_police_protection_6m AS "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
       c.cppl_number_of_previous_cpp AS "Number of Previous Child Protection Plans",
       c.cppl_allocated_team AS "Allocated Team",
       c.cppl_allocated_worker AS "Allocated Worker"
FROM ssd_cp_plans c
JOIN hw_loads l ON l.load_id = c.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_cp_plans c2 JOIN hw_loads l2 ON l2.load_id = c2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = c.cppl_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = c.cppl_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM c.cppl_cp_plan_start_date) * 100 + EXTRACT(MONTH FROM c.cppl_cp_plan_start_date) <= y.cy * 100 + 3
  AND (c.cppl_cp_plan_end_date IS NULL
       OR EXTRACT(YEAR FROM c.cppl_cp_plan_end_date) * 100 + EXTRACT(MONTH FROM c.cppl_cp_plan_end_date)
          >= (y.cy - 1) * 100 + 10)
ORDER BY c.cppl_cp_plan_start_date, c.cppl_person_id
