-- Of assessments authorised in the collection year (CIN census), the share authorised within
-- 45 working days of starting, approximated as 63 calendar days (nine weeks): working days
-- would need the LA's bank-holiday calendar.
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN date_diff('day', a.cina_assessment_start_date, a.cina_assessment_auth_date) <= 63
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cin_assessments a
JOIN hw_loads l ON l.load_id = a.hw_load_id
WHERE l.source_return = 'cin_census'
  AND a.cina_assessment_start_date IS NOT NULL
  AND EXTRACT(YEAR FROM a.cina_assessment_auth_date) * 100 + EXTRACT(MONTH FROM a.cina_assessment_auth_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
