-- Of SSDA903 episodes open in the collection year, the share with the child's home postcode
-- (HOME_POST) recorded: the key for assigning a looked after child to a successor authority.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN TRIM(COALESCE(e.clae_home_postcode, '')) <> '' THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cla_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'ssda903'
GROUP BY l.collection_year
