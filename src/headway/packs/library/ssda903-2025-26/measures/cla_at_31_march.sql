-- Children looked after at 31 March: distinct children with an SSDA903 episode open at the
-- reference date (started on or before 31 March, not ceased by 31 March).
SELECT l.collection_year AS period,
       COUNT(DISTINCT e.clae_person_id) AS value
FROM ssd_cla_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'ssda903'
  AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
      + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
  AND (e.clae_cla_episode_ceased_date IS NULL
       OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3)
GROUP BY l.collection_year
