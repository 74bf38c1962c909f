-- Active EHC plans in the collection year's extract by primary type of need (the need ranked 1).
SELECT l.collection_year AS period,
       COUNT(DISTINCT p.ehcp_active_ehcp_id) AS value,
       COALESCE(s.senn_active_ehcp_need_type, 'not recorded') AS breakdown
FROM ssd_ehcp_active_plans p
JOIN hw_loads l ON l.load_id = p.hw_load_id
LEFT JOIN ssd_sen_need s
  ON s.senn_active_ehcp_id = p.ehcp_active_ehcp_id AND TRIM(s.senn_active_ehcp_need_rank) = '1'
WHERE l.source_return <> 'annex_a'
GROUP BY l.collection_year, COALESCE(s.senn_active_ehcp_need_type, 'not recorded')
