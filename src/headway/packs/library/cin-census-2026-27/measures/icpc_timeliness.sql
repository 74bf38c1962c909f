-- Of initial child protection conferences held in the collection year (CIN census), the share
-- held within 15 working days of the start of the section 47 enquiry, approximated as 21
-- calendar days.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN date_diff('day', s.s47e_s47_start_date, s.s47e_icpc_date) <= 21 THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_s47_enquiry s
JOIN hw_loads l ON l.load_id = s.hw_load_id
WHERE l.source_return = 'cin_census'
  AND s.s47e_s47_start_date IS NOT NULL
  AND EXTRACT(YEAR FROM s.s47e_icpc_date) * 100 + EXTRACT(MONTH FROM s.s47e_icpc_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
