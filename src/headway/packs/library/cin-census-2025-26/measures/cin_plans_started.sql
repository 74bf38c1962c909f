-- Child in need plans starting in the collection year (CIN census CINPlanDates).
SELECT l.collection_year AS period,
       COUNT(*) AS value
FROM ssd_cin_plans c
JOIN hw_loads l ON l.load_id = c.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM c.cinp_cin_plan_start_date) * 100 + EXTRACT(MONTH FROM c.cinp_cin_plan_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
