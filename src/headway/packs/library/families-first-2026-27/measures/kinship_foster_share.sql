-- Of children looked after at 31 March (SSDA903), the share whose current placement is foster
-- care with a relative or friend (903 PLACE codes U1, U2, U3).
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN UPPER(TRIM(e.clae_placement_type)) IN ('U1', 'U2', 'U3')
                                THEN e.clae_person_id END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(DISTINCT e.clae_person_id), 0) AS value
FROM ssd_cla_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'ssda903'
  AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
      + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
  AND (e.clae_cla_episode_ceased_date IS NULL
       OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3)
GROUP BY l.collection_year
