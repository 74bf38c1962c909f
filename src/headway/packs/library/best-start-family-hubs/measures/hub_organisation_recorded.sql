-- Of early help episodes starting in the collection year, the share with the delivering
-- organisation (hub or service) recorded.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN h.earl_episode_organisation IS NOT NULL AND TRIM(h.earl_episode_organisation) <> ''
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_early_help_episodes h
JOIN hw_loads l ON l.load_id = h.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM h.earl_episode_start_date) * 100 + EXTRACT(MONTH FROM h.earl_episode_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
