-- Of children in the CIN census, the share whose sex is coded with the Sex item (N00783) codes
-- M, F or U, which replaced GenderCurrent (1, 2, 0, 9) from the 2024-25 census.
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN UPPER(TRIM(p.pers_sex)) IN ('M', 'F', 'U') THEN p.pers_person_id END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(DISTINCT p.pers_person_id), 0) AS value
FROM ssd_person p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return = 'cin_census'
GROUP BY l.collection_year
