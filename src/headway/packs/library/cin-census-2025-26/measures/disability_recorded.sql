-- Of children in the CIN census, the share with at least one disability recorded (a
-- Disability code other than NONE).
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN d.disa_person_id IS NOT NULL THEN p.pers_person_id END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(DISTINCT p.pers_person_id), 0) AS value
FROM ssd_person p
JOIN hw_loads l ON l.load_id = p.hw_load_id
LEFT JOIN (
    SELECT DISTINCT x.hw_load_id, x.disa_person_id
    FROM ssd_disability x
    WHERE UPPER(TRIM(COALESCE(x.disa_disability_code, 'NONE'))) <> 'NONE'
) d ON d.hw_load_id = p.hw_load_id AND d.disa_person_id = p.pers_person_id
WHERE l.source_return = 'cin_census'
GROUP BY l.collection_year
