-- Of active EHC plans in the collection year's extract, the share whose last annual review fell
-- in the twelve months to 31 March.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN EXTRACT(YEAR FROM p.ehcp_active_ehcp_last_review_date) * 100
                          + EXTRACT(MONTH FROM p.ehcp_active_ehcp_last_review_date)
                          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_ehcp_active_plans p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return <> 'annex_a'
GROUP BY l.collection_year
