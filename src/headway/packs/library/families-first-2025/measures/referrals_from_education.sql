-- Of referrals in the collection year (CIN census), the share whose source is schools (2A) or
-- education services (2B).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN UPPER(TRIM(e.cine_referral_source_code)) IN ('2A', '2B') THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cin_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
