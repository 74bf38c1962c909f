-- Every postcode district (outward code) in the latest collection year's SSDA903 episodes and
-- in current SSD addresses, with the children it holds: the starting point for the postcode or
-- district to successor lookup an LA must supply until ONS issues codes for the new
-- authorities. The successor column is left blank for the analyst to fill.
SELECT z.district AS "Postcode district",
       COUNT(DISTINCT CASE WHEN z.kind = 'home' THEN z.person_id END) AS "Looked after children (home postcode)",
       COUNT(DISTINCT CASE WHEN z.kind = 'placement' THEN z.person_id END) AS "Looked after children (placement postcode)",
       COUNT(DISTINCT CASE WHEN z.kind = 'address' THEN z.person_id END) AS "Children with a current address (SSD)",
       CAST(NULL AS VARCHAR) AS "Successor authority"
FROM (
    SELECT p.kind, p.person_id,
           CASE WHEN POSITION(' ' IN p.postcode) > 0 THEN UPPER(SUBSTRING(p.postcode, 1, POSITION(' ' IN p.postcode) - 1))
                WHEN LENGTH(p.postcode) >= 5 THEN UPPER(SUBSTRING(p.postcode, 1, LENGTH(p.postcode) - 3))
                ELSE UPPER(p.postcode) END AS district
    FROM (
        SELECT 'home' AS kind, e.clae_person_id AS person_id, TRIM(e.clae_home_postcode) AS postcode
        FROM ssd_cla_episodes e
        JOIN hw_loads l ON l.load_id = e.hw_load_id
        JOIN (SELECT MAX(collection_year) AS cy FROM hw_loads WHERE source_return = 'ssda903') y
          ON l.collection_year = y.cy
        WHERE l.source_return = 'ssda903'
        UNION ALL
        SELECT 'placement' AS kind, e.clae_person_id AS person_id, TRIM(e.clae_placement_postcode) AS postcode
        FROM ssd_cla_episodes e
        JOIN hw_loads l ON l.load_id = e.hw_load_id
        JOIN (SELECT MAX(collection_year) AS cy FROM hw_loads WHERE source_return = 'ssda903') y
          ON l.collection_year = y.cy
        WHERE l.source_return = 'ssda903'
        UNION ALL
        SELECT 'address' AS kind, a.addr_person_id AS person_id, TRIM(a.addr_address_postcode) AS postcode
        FROM ssd_address a
        WHERE a.addr_address_end_date IS NULL
    ) p
    WHERE p.postcode IS NOT NULL AND p.postcode <> ''
) z
GROUP BY z.district
ORDER BY z.district
