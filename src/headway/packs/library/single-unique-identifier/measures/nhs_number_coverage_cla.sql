-- Of children looked after at 31 March (SSDA903), the share with an NHS number recorded anywhere
-- in the workspace: every looked after child has statutory health assessments, so the number
-- should be known.
SELECT c.period AS period,
       CAST(COUNT(DISTINCT CASE WHEN n.person_id IS NOT NULL THEN c.clae_person_id END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(DISTINCT c.clae_person_id), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, e.clae_person_id
    FROM ssd_cla_episodes e
    JOIN hw_loads l ON l.load_id = e.hw_load_id
    WHERE l.source_return = 'ssda903'
      AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
      AND (e.clae_cla_episode_ceased_date IS NULL
           OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
              + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3)
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
) n ON n.person_id = c.clae_person_id
GROUP BY c.period
