-- Annex A list 1: contacts. Built from the LA's own contact extract (not from a loaded Annex A
-- workbook): contacts in the six months to 31 March of the latest collection year loaded.
-- Age is at 31 March of that year.
SELECT c.cont_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       c.cont_contact_date AS "Date of Contact",
       c.cont_contact_source_code AS "Contact Source"
FROM ssd_contacts c
JOIN hw_loads l ON l.load_id = c.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_contacts c2 JOIN hw_loads l2 ON l2.load_id = c2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = c.cont_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM c.cont_contact_date) * 100 + EXTRACT(MONTH FROM c.cont_contact_date)
      BETWEEN (y.cy - 1) * 100 + 10 AND y.cy * 100 + 3
ORDER BY c.cont_contact_date, c.cont_person_id
