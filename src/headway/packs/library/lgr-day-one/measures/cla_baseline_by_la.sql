-- Children looked after at 31 March by LA code (SSDA903): the predecessor totals that successor
-- baselines must add back up to.
SELECT l.collection_year AS period,
       COUNT(DISTINCT e.clae_person_id) AS value,
       l.la_code AS breakdown
FROM ssd_cla_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'ssda903'
  AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
      + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
  AND (e.clae_cla_episode_ceased_date IS NULL
       OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3)
GROUP BY l.collection_year, l.la_code
