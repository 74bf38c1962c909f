-- Of referrals in the collection year (CIN census), the share from health services
-- (referral source 3A to 3F: GP, health visitor, school nurse, other primary care, A&E, other).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN UPPER(TRIM(e.cine_referral_source_code)) IN ('3A', '3B', '3C', '3D', '3E', '3F')
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_cin_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
