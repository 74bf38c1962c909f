-- UPNs that appear in the returns of more than one LA code in the same collection year: children
-- known to two predecessor authorities, who must be linked and counted once by a successor.
-- Zero in a workspace that holds one LA's data.
SELECT u.period AS period,
       SUM(CASE WHEN u.la_codes > 1 THEN 1 ELSE 0 END) AS value
FROM (
    SELECT l.collection_year AS period, UPPER(TRIM(p.pers_upn)) AS upn, COUNT(DISTINCT l.la_code) AS la_codes
    FROM ssd_person p
    JOIN hw_loads l ON l.load_id = p.hw_load_id
    WHERE l.source_return IN ('cin_census', 'ssda903')
      AND LENGTH(TRIM(p.pers_upn)) = 13
    GROUP BY l.collection_year, UPPER(TRIM(p.pers_upn))
) u
GROUP BY u.period
