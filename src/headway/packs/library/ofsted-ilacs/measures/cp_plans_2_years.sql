-- Of child protection plans that ended in the collection year (CIN census), the share that
-- had lasted two years (730 days) or more.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN date_diff('day', c.cppl_cp_plan_start_date, c.cppl_cp_plan_end_date) >= 730
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cp_plans c
JOIN hw_loads l ON l.load_id = c.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM c.cppl_cp_plan_end_date) * 100 + EXTRACT(MONTH FROM c.cppl_cp_plan_end_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
