-- Of early help episodes ending in the collection year, the share where the child was referred
-- to children's social care (CIN census, any year loaded) during the episode or within 90 days
-- after it ended.
-- The matches are found with an inner join and then joined back on equal keys, so that DuckDB,
-- PostgreSQL and SQL Server can all hash-join it (a correlated EXISTS runs row by row on
-- PostgreSQL, and a LEFT JOIN on date ranges runs as a nested loop on DuckDB).
SELECT e.period AS period,
       CAST(SUM(CASE WHEN m.earl_person_id IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, x.earl_person_id, x.earl_episode_start_date,
           x.earl_episode_end_date
    FROM ssd_early_help_episodes x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    WHERE l.source_return <> 'annex_a'
      AND EXTRACT(YEAR FROM x.earl_episode_end_date) * 100 + EXTRACT(MONTH FROM x.earl_episode_end_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
) e
LEFT JOIN (
    SELECT DISTINCT b.period, b.earl_person_id, b.earl_episode_start_date, b.earl_episode_end_date
    FROM (
        SELECT DISTINCT l.collection_year AS period, x.earl_person_id, x.earl_episode_start_date,
               x.earl_episode_end_date
        FROM ssd_early_help_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return <> 'annex_a'
          AND EXTRACT(YEAR FROM x.earl_episode_end_date) * 100 + EXTRACT(MONTH FROM x.earl_episode_end_date)
              BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
    ) b
    JOIN (
        SELECT DISTINCT x.cine_person_id, x.cine_referral_date
        FROM ssd_cin_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
    ) o ON o.cine_person_id = b.earl_person_id
          AND o.cine_referral_date >= b.earl_episode_start_date
          AND date_diff('day', b.earl_episode_end_date, o.cine_referral_date) <= 90
) m ON m.period = e.period AND m.earl_person_id = e.earl_person_id AND m.earl_episode_start_date = e.earl_episode_start_date AND m.earl_episode_end_date = e.earl_episode_end_date
GROUP BY e.period
