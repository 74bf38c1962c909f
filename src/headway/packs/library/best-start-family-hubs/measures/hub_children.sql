-- Children starting an early help (Family Help) episode in the collection year whose episode
-- is delivered by a family hub: the recorded organisation names a hub.
SELECT l.collection_year AS period,
       COUNT(DISTINCT h.earl_person_id) AS value
FROM ssd_early_help_episodes h
JOIN hw_loads l ON l.load_id = h.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND LOWER(h.earl_episode_organisation) LIKE '%hub%'
  AND EXTRACT(YEAR FROM h.earl_episode_start_date) * 100 + EXTRACT(MONTH FROM h.earl_episode_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
