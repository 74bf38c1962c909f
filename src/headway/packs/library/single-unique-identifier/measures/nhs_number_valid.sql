-- Of NHS numbers recorded (SSD linked identifiers of type NHS Number, or the SSD common child
-- identifier), the share that are ten digits with a correct Modulus 11 check digit. A proxy for
-- verification: a valid number can still belong to another person, which only a check against
-- NHS demographic records would show.
SELECT n.period AS period,
       CAST(SUM(CASE WHEN LENGTH(n.v) = 10
                      AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(n.v, '0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), '8', ''), '9', '') = ''
                      AND MOD(11 - MOD(10 * (POSITION(SUBSTRING(n.v, 1, 1) IN '0123456789') - 1)
                + 9 * (POSITION(SUBSTRING(n.v, 2, 1) IN '0123456789') - 1)
                + 8 * (POSITION(SUBSTRING(n.v, 3, 1) IN '0123456789') - 1)
                + 7 * (POSITION(SUBSTRING(n.v, 4, 1) IN '0123456789') - 1)
                + 6 * (POSITION(SUBSTRING(n.v, 5, 1) IN '0123456789') - 1)
                + 5 * (POSITION(SUBSTRING(n.v, 6, 1) IN '0123456789') - 1)
                + 4 * (POSITION(SUBSTRING(n.v, 7, 1) IN '0123456789') - 1)
                + 3 * (POSITION(SUBSTRING(n.v, 8, 1) IN '0123456789') - 1)
                + 2 * (POSITION(SUBSTRING(n.v, 9, 1) IN '0123456789') - 1), 11), 11)
                          = POSITION(SUBSTRING(n.v, 10, 1) IN '0123456789') - 1
                     THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
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
GROUP BY n.period
