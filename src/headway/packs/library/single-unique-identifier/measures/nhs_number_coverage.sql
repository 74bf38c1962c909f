-- Of children in the CIN census or SSDA903 for the collection year, the share with an NHS number
-- recorded anywhere in the workspace (SSD linked identifiers of type NHS Number, or the SSD
-- common child identifier). The statutory returns do not carry the NHS number.
SELECT c.period AS period,
       CAST(COUNT(DISTINCT CASE WHEN n.person_id IS NOT NULL THEN c.pers_person_id END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(DISTINCT c.pers_person_id), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, p.pers_person_id
    FROM ssd_person p
    JOIN hw_loads l ON l.load_id = p.hw_load_id
    WHERE l.source_return IN ('cin_census', 'ssda903')
) c
LEFT JOIN (
    SELECT i.link_person_id AS person_id
    FROM ssd_linked_identifiers i
    WHERE LOWER(i.link_identifier_type) LIKE '%nhs%'
      AND TRIM(COALESCE(i.link_identifier_value, '')) <> ''
    UNION
    SELECT p.pers_person_id AS person_id
    FROM ssd_person p
    WHERE TRIM(COALESCE(p.pers_common_child_id, '')) <> ''
) n ON n.person_id = c.pers_person_id
GROUP BY c.period
