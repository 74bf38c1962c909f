-- NHS numbers recorded against more than one child (person ID) in the same collection year's
-- records: each is either a data error or one child held twice.
SELECT d.period AS period,
       COUNT(*) AS value
FROM (
    SELECT n.period, n.v
    FROM (
    SELECT i.link_person_id AS person_id, l.collection_year AS period,
           REPLACE(REPLACE(TRIM(i.link_identifier_value), ' ', ''), '-', '') AS v
    FROM ssd_linked_identifiers i
    JOIN hw_loads l ON l.load_id = i.hw_load_id
    WHERE LOWER(i.link_identifier_type) LIKE '%nhs%'
      AND TRIM(COALESCE(i.link_identifier_value, '')) <> ''
    UNION
    SELECT p.pers_person_id AS person_id, l.collection_year AS period,
           REPLACE(REPLACE(TRIM(p.pers_common_child_id), ' ', ''), '-', '') AS v
    FROM ssd_person p
    JOIN hw_loads l ON l.load_id = p.hw_load_id
    WHERE TRIM(COALESCE(p.pers_common_child_id, '')) <> ''
    ) n
    GROUP BY n.period, n.v
    HAVING COUNT(DISTINCT n.person_id) > 1
) d
GROUP BY d.period
