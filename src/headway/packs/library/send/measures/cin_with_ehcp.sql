-- Of children in need at 31 March (CIN census), the share with an EHC plan in force at that date,
-- matched on the person ID in the SEN2 person records (request, assessment and named plan).
-- The matches are found with an inner join and then joined back on equal keys, so that DuckDB,
-- PostgreSQL and SQL Server can all hash-join it (a correlated EXISTS runs row by row on
-- PostgreSQL, and a LEFT JOIN on date ranges runs as a nested loop on DuckDB).
SELECT e.period AS period,
       CAST(SUM(CASE WHEN m.cine_person_id IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, x.cine_person_id
    FROM ssd_cin_episodes x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date) <= l.collection_year * 100 + 3
      AND (x.cine_close_date IS NULL
           OR EXTRACT(YEAR FROM x.cine_close_date) * 100 + EXTRACT(MONTH FROM x.cine_close_date) > l.collection_year * 100 + 3)
) e
LEFT JOIN (
    SELECT DISTINCT b.period, b.cine_person_id
    FROM (
        SELECT DISTINCT l.collection_year AS period, x.cine_person_id
        FROM ssd_cin_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
          AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date) <= l.collection_year * 100 + 3
          AND (x.cine_close_date IS NULL
               OR EXTRACT(YEAR FROM x.cine_close_date) * 100 + EXTRACT(MONTH FROM x.cine_close_date) > l.collection_year * 100 + 3)
    ) b
    JOIN (
        SELECT DISTINCT s.send_person_id, n.ehcn_named_plan_start_date, n.ehcn_named_plan_ceased_date
        FROM ssd_send s
        JOIN ssd_ehcp_requests r ON r.ehcr_send_table_id = s.send_table_id
        JOIN ssd_ehcp_assessment a ON a.ehca_ehcp_request_id = r.ehcr_ehcp_request_id
        JOIN ssd_ehcp_named_plan n ON n.ehcn_ehcp_asmt_id = a.ehca_ehcp_assessment_id
    ) o ON o.send_person_id = b.cine_person_id
          AND EXTRACT(YEAR FROM o.ehcn_named_plan_start_date) * 100
              + EXTRACT(MONTH FROM o.ehcn_named_plan_start_date) <= b.period * 100 + 3
          AND (o.ehcn_named_plan_ceased_date IS NULL
               OR EXTRACT(YEAR FROM o.ehcn_named_plan_ceased_date) * 100
                  + EXTRACT(MONTH FROM o.ehcn_named_plan_ceased_date) > b.period * 100 + 3)
) m ON m.period = e.period AND m.cine_person_id = e.cine_person_id
GROUP BY e.period
