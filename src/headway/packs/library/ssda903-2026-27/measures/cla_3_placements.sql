-- Of children looked after at 31 March (SSDA903), the share with three or more placements in
-- the collection year. A placement is counted for the episode open on 1 April and for every
-- episode starting in the year except a change of legal status only (RNE L): an approximation
-- of DfE's placement count.
SELECT c.period AS period,
       CAST(SUM(CASE WHEN c.placements >= 3 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT l.collection_year AS period, e.clae_person_id,
           SUM(CASE WHEN EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
                         + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) < (l.collection_year - 1) * 100 + 4
                      OR UPPER(COALESCE(e.clae_cla_episode_start_reason, '')) <> 'L'
                    THEN 1 ELSE 0 END) AS placements,
           MAX(CASE WHEN e.clae_cla_episode_ceased_date IS NULL
                      OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
                         + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) > l.collection_year * 100 + 3
                    THEN 1 ELSE 0 END) AS open_at_31_march
    FROM ssd_cla_episodes e
    JOIN hw_loads l ON l.load_id = e.hw_load_id
    WHERE l.source_return = 'ssda903'
      AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100
          + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= l.collection_year * 100 + 3
      AND (e.clae_cla_episode_ceased_date IS NULL
           OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100
              + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date) >= (l.collection_year - 1) * 100 + 4)
    GROUP BY l.collection_year, e.clae_person_id
) c
WHERE c.open_at_31_march = 1
GROUP BY c.period
