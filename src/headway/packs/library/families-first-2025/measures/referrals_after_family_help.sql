-- Of referrals to children's social care in the collection year (CIN census), the share where
-- the child had a Family Help (early help) episode open at the referral or ended in the 365
-- days before it.
-- The matches are found with an inner join and then joined back on equal keys, so that DuckDB,
-- PostgreSQL and SQL Server can all hash-join it (a correlated EXISTS runs row by row on
-- PostgreSQL, and a LEFT JOIN on date ranges runs as a nested loop on DuckDB).
SELECT e.period AS period,
       CAST(SUM(CASE WHEN m.cine_person_id IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, x.cine_person_id, x.cine_referral_date
    FROM ssd_cin_episodes x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
) e
LEFT JOIN (
    SELECT DISTINCT b.period, b.cine_person_id, b.cine_referral_date
    FROM (
        SELECT DISTINCT l.collection_year AS period, x.cine_person_id, x.cine_referral_date
        FROM ssd_cin_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
          AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date)
              BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
    ) b
    JOIN (
        SELECT DISTINCT x.earl_person_id, x.earl_episode_start_date, x.earl_episode_end_date
        FROM ssd_early_help_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return <> 'annex_a'
    ) o ON o.earl_person_id = b.cine_person_id
          AND o.earl_episode_start_date <= b.cine_referral_date
          AND (o.earl_episode_end_date IS NULL
               OR date_diff('day', o.earl_episode_end_date, b.cine_referral_date) <= 365)
) m ON m.period = e.period AND m.cine_person_id = e.cine_person_id AND m.cine_referral_date = e.cine_referral_date
GROUP BY e.period
