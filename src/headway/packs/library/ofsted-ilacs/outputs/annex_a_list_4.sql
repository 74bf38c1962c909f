-- Annex A list 4: assessments. From the CIN census (or SSD extract): assessments started or
-- authorised in the six months to 31 March of the latest collection year loaded. Disability
-- comes from the CIN census disability codes when the list does not carry it.
SELECT a.cina_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(a.cina_child_disability, d.disabled) AS "Does the Child have a Disability",
       a.cina_assessment_start_date AS "Continuous Assessment Start Date",
       a.cina_assessment_child_seen AS "Child Seen During Continuous Assessment",
       a.cina_assessment_auth_date AS "Continuous Assessment Date of Authorisation",
       a.cina_requires_csc_support AS "Was the child assessed as requiring LA children's social care support?",
       a.cina_assessment_team AS "Allocated Team",
       a.cina_assessment_worker_id AS "Allocated Worker"
FROM ssd_cin_assessments a
JOIN hw_loads l ON l.load_id = a.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_cin_assessments a2 JOIN hw_loads l2 ON l2.load_id = a2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = a.cina_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = a.cina_person_id
WHERE l.source_return <> 'annex_a'
  AND (EXTRACT(YEAR FROM a.cina_assessment_start_date) * 100 + EXTRACT(MONTH FROM a.cina_assessment_start_date)
           BETWEEN (y.cy - 1) * 100 + 10 AND y.cy * 100 + 3
       OR EXTRACT(YEAR FROM a.cina_assessment_auth_date) * 100 + EXTRACT(MONTH FROM a.cina_assessment_auth_date)
           BETWEEN (y.cy - 1) * 100 + 10 AND y.cy * 100 + 3)
ORDER BY a.cina_assessment_start_date, a.cina_person_id
