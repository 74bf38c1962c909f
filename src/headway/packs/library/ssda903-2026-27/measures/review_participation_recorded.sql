-- Of looked after children's reviews held in the collection year (SSDA903 Reviews), the share
-- with the child's participation code (REVIEW_CODE) recorded.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN TRIM(COALESCE(r.clar_cla_review_participation, '')) <> '' THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cla_reviews r
JOIN hw_loads l ON l.load_id = r.hw_load_id
WHERE l.source_return = 'ssda903'
  AND EXTRACT(YEAR FROM r.clar_cla_review_date) * 100 + EXTRACT(MONTH FROM r.clar_cla_review_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
