-- Looked after children subject to a deprivation of liberty order at any time in the
-- collection year (SSDA903 DoLo table, new for 2026-27).
SELECT l.collection_year AS period,
       COUNT(DISTINCT d.dolo_person_id) AS value
FROM hw_deprivation_of_liberty d
JOIN hw_loads l ON l.load_id = d.hw_load_id
WHERE l.source_return = 'ssda903'
  AND EXTRACT(YEAR FROM d.dolo_start_date) * 100 + EXTRACT(MONTH FROM d.dolo_start_date) <= l.collection_year * 100 + 3
  AND (d.dolo_end_date IS NULL
       OR EXTRACT(YEAR FROM d.dolo_end_date) * 100 + EXTRACT(MONTH FROM d.dolo_end_date) >= (l.collection_year - 1) * 100 + 4)
GROUP BY l.collection_year
