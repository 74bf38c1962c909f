-- Of children in the CIN census or SSDA903 for the collection year, the share with a
-- 13-character UPN on at least one of their records: the identifier that links a child across
-- predecessor authorities' systems.
SELECT c.period AS period,
       CAST(SUM(c.has_upn) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT l.collection_year AS period, l.la_code, p.pers_person_id,
           MAX(CASE WHEN LENGTH(TRIM(p.pers_upn)) = 13 THEN 1 ELSE 0 END) AS has_upn
    FROM ssd_person p
    JOIN hw_loads l ON l.load_id = p.hw_load_id
    WHERE l.source_return IN ('cin_census', 'ssda903')
    GROUP BY l.collection_year, l.la_code, p.pers_person_id
) c
GROUP BY c.period
