-- Of children in the SSDA903 Header table, the share with a 13-character UPN (rather than a
-- blank or an unknown-UPN code).
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN LENGTH(TRIM(p.pers_upn)) = 13 THEN p.pers_person_id END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(DISTINCT p.pers_person_id), 0) AS value
FROM ssd_person p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return = 'ssda903'
GROUP BY l.collection_year
