-- Annex A list 9: care leavers. From the SSDA903 OC3 table (or SSD extract) of the latest
-- collection year loaded: the care leavers that year's return covers.
SELECT c.clea_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       COALESCE(p.dob, c.hw_reported_dob) AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM COALESCE(p.dob, c.hw_reported_dob))
            - CASE WHEN EXTRACT(MONTH FROM COALESCE(p.dob, c.hw_reported_dob)) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(c.clea_child_disability, d.disabled) AS "Does the Child have a Disability",
       c.clea_care_leaver_allocated_team AS "Allocated Team",
       c.clea_care_leaver_worker_id AS "Allocated Worker",
       c.clea_care_leaver_personal_advisor AS "Allocated Personal Advisor",
       c.clea_care_leaver_eligibility AS "Eligibility Category",
       c.clea_care_leaver_in_touch AS "LA in Touch",
       c.clea_care_leaver_latest_contact AS "Date of Latest Contact",
       c.clea_care_leaver_accommodation AS "Type of Accommodation",
       c.clea_care_leaver_accom_suitable AS "Suitability of Accommodation",
       c.clea_care_leaver_activity AS "Activity Status",
       c.clea_pathway_plan_review_date AS "Latest Pathway Plan Review Date"
FROM ssd_care_leavers c
JOIN hw_loads l ON l.load_id = c.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_care_leavers c2 JOIN hw_loads l2 ON l2.load_id = c2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = c.clea_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = c.clea_person_id
WHERE l.source_return <> 'annex_a'
ORDER BY c.clea_person_id
