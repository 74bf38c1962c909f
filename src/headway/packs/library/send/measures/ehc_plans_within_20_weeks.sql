-- Of EHC plans issued in the collection year (named plan start date), the share issued within
-- 20 weeks (140 days) of the request for assessment, leaving out plans where the 20-week
-- exceptions apply (SEN2's measure "excluding exceptions"). Request, assessment and plan are
-- matched within the same collection year's extract.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN date_diff('day', r.ehcr_ehcp_req_date, n.ehcn_named_plan_start_date) <= 140
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_ehcp_named_plan n
JOIN hw_loads l ON l.load_id = n.hw_load_id
JOIN ssd_ehcp_assessment a ON a.ehca_ehcp_assessment_id = n.ehcn_ehcp_asmt_id
JOIN hw_loads la ON la.load_id = a.hw_load_id AND la.collection_year = l.collection_year
JOIN ssd_ehcp_requests r ON r.ehcr_ehcp_request_id = a.ehca_ehcp_request_id
JOIN hw_loads lr ON lr.load_id = r.hw_load_id AND lr.collection_year = l.collection_year
WHERE l.source_return <> 'annex_a'
  AND LOWER(TRIM(COALESCE(a.ehca_ehcp_assessment_exceptions, ''))) NOT IN ('1', 'true', 'y', 'yes')
  AND EXTRACT(YEAR FROM n.ehcn_named_plan_start_date) * 100 + EXTRACT(MONTH FROM n.ehcn_named_plan_start_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
