-- Of children and young people in the SEN2 person records (ssd_send), the share with a UPN or a
-- ULN recorded.
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN TRIM(COALESCE(s.send_upn, '')) <> '' OR TRIM(COALESCE(s.send_uln, '')) <> ''
                                THEN s.send_table_id END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(DISTINCT s.send_table_id), 0) AS value
FROM ssd_send s
JOIN hw_loads l ON l.load_id = s.hw_load_id
WHERE l.source_return <> 'annex_a'
GROUP BY l.collection_year
