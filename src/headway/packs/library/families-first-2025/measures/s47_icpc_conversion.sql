-- Of section 47 enquiries started in the collection year (CIN census), the share that led to
-- an initial child protection conference (a conference date is recorded).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN s.s47e_icpc_date IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM ssd_s47_enquiry s
JOIN hw_loads l ON l.load_id = s.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM s.s47e_s47_start_date) * 100 + EXTRACT(MONTH FROM s.s47e_s47_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
