-- Of care leavers in the SSDA903 OC3 table for the collection year, the share the LA is in
-- touch with (IN_TOUCH = YES).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN UPPER(TRIM(c.clea_care_leaver_in_touch)) = 'YES' THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_care_leavers c
JOIN hw_loads l ON l.load_id = c.hw_load_id
WHERE l.source_return = 'ssda903'
GROUP BY l.collection_year
