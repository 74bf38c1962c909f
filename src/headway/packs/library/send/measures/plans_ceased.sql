-- EHC plans that ceased in the collection year, by reason.
SELECT l.collection_year AS period,
       COUNT(DISTINCT n.ehcn_named_plan_id) AS value,
       COALESCE(n.ehcn_named_plan_ceased_reason, 'not recorded') AS breakdown
FROM ssd_ehcp_named_plan n
JOIN hw_loads l ON l.load_id = n.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM n.ehcn_named_plan_ceased_date) * 100 + EXTRACT(MONTH FROM n.ehcn_named_plan_ceased_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year, COALESCE(n.ehcn_named_plan_ceased_reason, 'not recorded')
