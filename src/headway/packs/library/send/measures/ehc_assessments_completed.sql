-- EHC needs assessments with an outcome in the collection year.
SELECT l.collection_year AS period,
       COUNT(DISTINCT a.ehca_ehcp_assessment_id) AS value
FROM ssd_ehcp_assessment a
JOIN hw_loads l ON l.load_id = a.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM a.ehca_ehcp_assessment_outcome_date) * 100 + EXTRACT(MONTH FROM a.ehca_ehcp_assessment_outcome_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
