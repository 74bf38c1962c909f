-- Early help episodes starting in the collection year, by the child's age at the start. The
-- date of birth comes from any record of the child in the workspace. Start for Life covers
-- pregnancy to age two.
SELECT b.period AS period,
       COUNT(*) AS value,
       b.age_band AS breakdown
FROM (
    SELECT a.period,
           CASE WHEN a.dob IS NULL THEN 'not known'
                WHEN a.age < 2 THEN 'under 2'
                WHEN a.age < 5 THEN '2 to 4'
                WHEN a.age < 11 THEN '5 to 10'
                WHEN a.age < 16 THEN '11 to 15'
                ELSE '16 and over' END AS age_band
    FROM (
        SELECT l.collection_year AS period, p.dob,
               EXTRACT(YEAR FROM h.earl_episode_start_date) - EXTRACT(YEAR FROM p.dob)
               - CASE WHEN EXTRACT(MONTH FROM h.earl_episode_start_date) * 100 + EXTRACT(DAY FROM h.earl_episode_start_date)
                           < EXTRACT(MONTH FROM p.dob) * 100 + EXTRACT(DAY FROM p.dob)
                      THEN 1 ELSE 0 END AS age
        FROM ssd_early_help_episodes h
        JOIN hw_loads l ON l.load_id = h.hw_load_id
        LEFT JOIN (SELECT pers_person_id, MAX(pers_dob) AS dob FROM ssd_person GROUP BY pers_person_id) p
          ON p.pers_person_id = h.earl_person_id
        WHERE l.source_return <> 'annex_a'
          AND EXTRACT(YEAR FROM h.earl_episode_start_date) * 100 + EXTRACT(MONTH FROM h.earl_episode_start_date)
              BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
    ) a
) b
GROUP BY b.period, b.age_band
