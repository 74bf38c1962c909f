-- Children subject to a child protection plan at 31 March, from the CIN census.
SELECT l.collection_year AS period,
       COUNT(DISTINCT c.cppl_person_id) AS value
FROM ssd_cp_plans c
JOIN hw_loads l ON l.load_id = c.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM c.cppl_cp_plan_start_date) * 100
      + EXTRACT(MONTH FROM c.cppl_cp_plan_start_date) <= l.collection_year * 100 + 3
  AND (c.cppl_cp_plan_end_date IS NULL
       OR EXTRACT(YEAR FROM c.cppl_cp_plan_end_date) * 100
          + EXTRACT(MONTH FROM c.cppl_cp_plan_end_date) > l.collection_year * 100 + 3)
GROUP BY l.collection_year
