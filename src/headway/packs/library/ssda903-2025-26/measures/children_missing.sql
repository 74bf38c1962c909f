-- Looked after children with at least one missing episode (MISSING = M) starting in the
-- collection year (SSDA903 Missing table).
SELECT l.collection_year AS period,
       COUNT(DISTINCT m.miss_person_id) AS value
FROM ssd_missing m
JOIN hw_loads l ON l.load_id = m.hw_load_id
WHERE l.source_return = 'ssda903'
  AND UPPER(TRIM(m.miss_missing_episode_type)) = 'M'
  AND EXTRACT(YEAR FROM m.miss_missing_episode_start_date) * 100 + EXTRACT(MONTH FROM m.miss_missing_episode_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
