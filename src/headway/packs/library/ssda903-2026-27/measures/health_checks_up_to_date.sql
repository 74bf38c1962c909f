-- Of children looked after continuously for 12 months (SSDA903 OC2), the share whose health
-- check is up to date (HEALTH_CHECK = 1).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN TRIM(o.oc2_health_check) = '1' THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM hw_cla_outcomes o
JOIN hw_loads l ON l.load_id = o.hw_load_id
WHERE l.source_return = 'ssda903'
GROUP BY l.collection_year
