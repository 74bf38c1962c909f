-- Annex A list 5: section 47 enquiries and initial child protection conferences. From the CIN
-- census (or SSD extract): enquiries started in the six months to 31 March of the latest
-- collection year loaded. Whether the conference led to a plan, and the 12-month counts (over
-- the collection year), are derived when the list does not carry them.
SELECT s.s47e_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(s.s47e_child_disability, d.disabled) AS "Does the Child have a Disability",
       s.s47e_s47_start_date AS "Strategy discussion initiating Section 47 Enquiry Start Date",
       s.s47e_icpc_not_required AS "Was an Initial Child Protection Conference deemed unnecessary?",
       s.s47e_icpc_date AS "Date of Initial Child Protection Conference",
       COALESCE(s.s47e_icpc_resulted_in_cp_plan,
                CASE WHEN s.s47e_icpc_date IS NULL THEN NULL
                     WHEN EXISTS (SELECT 1 FROM ssd_cp_plans c
                                  WHERE c.hw_load_id = s.hw_load_id
                                    AND c.cppl_person_id = s.s47e_person_id
                                    AND c.cppl_cp_plan_start_date = s.s47e_icpc_date) THEN 'Yes'
                     ELSE 'No' END) AS "Did the Initial Child Protection Conference Result in a Child Protection Plan",
       COALESCE(s.s47e_s47s_last_12m,
                (SELECT COUNT(*) FROM ssd_s47_enquiry s2
                 WHERE s2.hw_load_id = s.hw_load_id
                   AND s2.s47e_person_id = s.s47e_person_id
                   AND EXTRACT(YEAR FROM s2.s47e_s47_start_date) * 100 + EXTRACT(MONTH FROM s2.s47e_s47_start_date)
                       BETWEEN (y.cy - 1) * 100 + 4 AND y.cy * 100 + 3)) AS "Number of Section 47 Enquiries in the last 12 months",
       COALESCE(s.s47e_icpcs_last_12m,
                (SELECT COUNT(*) FROM ssd_s47_enquiry s3
                 WHERE s3.hw_load_id = s.hw_load_id
                   AND s3.s47e_person_id = s.s47e_person_id
                   AND EXTRACT(YEAR FROM s3.s47e_icpc_date) * 100 + EXTRACT(MONTH FROM s3.s47e_icpc_date)
                       BETWEEN (y.cy - 1) * 100 + 4 AND y.cy * 100 + 3)) AS "Number of ICPCs in the last 12 months",
       s.s47e_s47_completed_by_team AS "Allocated Team",
       s.s47e_s47_completed_by_worker_id AS "Allocated Worker"
FROM ssd_s47_enquiry s
JOIN hw_loads l ON l.load_id = s.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_s47_enquiry x JOIN hw_loads l2 ON l2.load_id = x.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = s.s47e_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = s.s47e_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM s.s47e_s47_start_date) * 100 + EXTRACT(MONTH FROM s.s47e_s47_start_date)
      BETWEEN (y.cy - 1) * 100 + 10 AND y.cy * 100 + 3
ORDER BY s.s47e_s47_start_date, s.s47e_person_id
