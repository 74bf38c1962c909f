-- Requests for an EHC needs assessment received in the collection year (SSD EHCP tables, as
-- sent in SEN2). SEN2 itself counts calendar years, this uses April to March like the other
-- measures.
SELECT l.collection_year AS period,
       COUNT(DISTINCT r.ehcr_ehcp_request_id) AS value
FROM ssd_ehcp_requests r
JOIN hw_loads l ON l.load_id = r.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM r.ehcr_ehcp_req_date) * 100 + EXTRACT(MONTH FROM r.ehcr_ehcp_req_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
