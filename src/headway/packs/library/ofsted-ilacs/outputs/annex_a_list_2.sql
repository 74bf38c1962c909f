-- Annex A list 2: early help assessments. From the LA's own early help extract: episodes open
-- at any time in the six months to 31 March of the latest collection year loaded.
SELECT h.earl_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       p.dob AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM p.dob) - CASE WHEN EXTRACT(MONTH FROM p.dob) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       h.earl_episode_start_date AS "Assessment start date",
       h.earl_episode_end_date AS "Assessment completion date",
       h.earl_episode_organisation AS "Organisation completing assessment"
FROM ssd_early_help_episodes h
JOIN hw_loads l ON l.load_id = h.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_early_help_episodes h2 JOIN hw_loads l2 ON l2.load_id = h2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = h.earl_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM h.earl_episode_start_date) * 100 + EXTRACT(MONTH FROM h.earl_episode_start_date) <= y.cy * 100 + 3
  AND (h.earl_episode_end_date IS NULL
       OR EXTRACT(YEAR FROM h.earl_episode_end_date) * 100 + EXTRACT(MONTH FROM h.earl_episode_end_date)
          >= (y.cy - 1) * 100 + 10)
ORDER BY h.earl_episode_start_date, h.earl_person_id
