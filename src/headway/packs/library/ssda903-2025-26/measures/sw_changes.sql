-- Of looked after children in the SSDA903 social worker table (SWEpisodes) for the collection
-- year, the share with more than one social worker episode in the year.
SELECT c.period AS period,
       CAST(SUM(CASE WHEN c.episodes > 1 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT l.collection_year AS period, i.invo_person_id, COUNT(*) AS episodes
    FROM ssd_involvements i
    JOIN hw_loads l ON l.load_id = i.hw_load_id
    WHERE l.source_return = 'ssda903'
    GROUP BY l.collection_year, i.invo_person_id
) c
GROUP BY c.period
