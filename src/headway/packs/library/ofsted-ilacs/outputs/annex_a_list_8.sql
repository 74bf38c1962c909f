-- Annex A list 8: children in care. From the SSDA903 return (or SSD extract): each child's
-- latest episode among those open at any time in the six months to 31 March of the latest
-- collection year loaded. Where the list's own items are absent, the date the child started to
-- be looked after is the latest start of a period of care (RNE S), the latest review comes from
-- the reviews table, placements in the last 12 months are counted as in the cla-3-placements
-- measure, and missing and absent episodes come from the missing table.
SELECT e.clae_person_id AS "Child Unique ID",
       p.sex AS "Gender",
       p.ethnicity AS "Ethnicity",
       COALESCE(p.dob, e.hw_reported_dob) AS "Date of Birth",
       CAST(y.cy - EXTRACT(YEAR FROM COALESCE(p.dob, e.hw_reported_dob))
            - CASE WHEN EXTRACT(MONTH FROM COALESCE(p.dob, e.hw_reported_dob)) > 3 THEN 1 ELSE 0 END
            AS INTEGER) AS "Age of Child (Years)",
       COALESCE(e.clae_uasc_last_12m,
                CASE WHEN EXISTS (SELECT 1 FROM ssd_immigration_status u
                                  WHERE u.immi_person_id = e.clae_person_id) THEN 'Yes' ELSE 'No' END)
           AS "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
       COALESCE(e.clae_child_disability, d.disabled) AS "Does the Child have a Disability",
       COALESCE(e.clae_entered_care_date,
                (SELECT MAX(s.clae_cla_episode_start_date) FROM ssd_cla_episodes s
                 WHERE s.clae_person_id = e.clae_person_id
                   AND UPPER(s.clae_cla_episode_start_reason) = 'S'
                   AND s.clae_cla_episode_start_date <= e.clae_cla_episode_start_date)) AS "Date Started to be Looked After",
       e.clae_cla_primary_need_code AS "Child's Category of Need",
       e.clae_subsequent_period_12m AS "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
       e.clae_legal_status_start_date AS "Start date of current legal status",
       e.clae_legal_status AS "Child's Legal Status",
       COALESCE(e.clae_latest_review_date,
                (SELECT MAX(r.clar_cla_review_date) FROM ssd_cla_reviews r
                 WHERE r.clar_person_id = e.clae_person_id)) AS "Date of Latest Statutory Review",
       COALESCE(e.clae_last_sw_visit_date,
                (SELECT MAX(v.clav_cla_visit_date) FROM ssd_cla_visits v
                 WHERE v.clav_person_id = e.clae_person_id)) AS "Date of Last Social Work Visit",
       e.clae_permanence_plan AS "What is the permanence plan for this child?",
       e.clae_cla_last_iro_contact_date AS "Date of Last IRO Visit / Contact to the Child",
       e.clae_last_health_assessment_date AS "Date of Last Health Assessment",
       e.clae_last_dental_check_date AS "Date of Last Dental Check",
       COALESCE(e.clae_placements_last_12m,
                (SELECT COUNT(*) FROM ssd_cla_episodes n
                 WHERE n.hw_load_id = e.hw_load_id
                   AND n.clae_person_id = e.clae_person_id
                   AND (EXTRACT(YEAR FROM n.clae_cla_episode_start_date) * 100
                        + EXTRACT(MONTH FROM n.clae_cla_episode_start_date) < (y.cy - 1) * 100 + 4
                        OR UPPER(COALESCE(n.clae_cla_episode_start_reason, '')) <> 'L'))) AS "Number of Placements in the Last 12 months",
       e.clae_cla_episode_ceased_date AS "Date Ceased to be Looked After",
       e.clae_cla_episode_ceased_reason AS "Reason Ceased to be Looked After",
       COALESCE(e.clae_placement_start_date, e.clae_cla_episode_start_date) AS "Start Date of Most Recent Placement",
       e.clae_placement_type AS "Placement Type",
       e.clae_placement_provider AS "Placement Provider",
       e.clae_placement_postcode AS "Placement postcode",
       e.clae_placement_urn AS "URN of Placement",
       e.clae_placement_location AS "Placement Location",
       e.clae_placement_la AS "LA of Placement",
       COALESCE(e.clae_missing_episodes_12m,
                (SELECT COUNT(*) FROM ssd_missing m
                 WHERE m.miss_person_id = e.clae_person_id
                   AND UPPER(m.miss_missing_episode_type) = 'M'
                   AND EXTRACT(YEAR FROM m.miss_missing_episode_start_date) * 100
                       + EXTRACT(MONTH FROM m.miss_missing_episode_start_date)
                       BETWEEN (y.cy - 1) * 100 + 4 AND y.cy * 100 + 3)) AS "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
       COALESCE(e.clae_absent_episodes_12m,
                (SELECT COUNT(*) FROM ssd_missing m
                 WHERE m.miss_person_id = e.clae_person_id
                   AND UPPER(m.miss_missing_episode_type) = 'A'
                   AND EXTRACT(YEAR FROM m.miss_missing_episode_start_date) * 100
                       + EXTRACT(MONTH FROM m.miss_missing_episode_start_date)
                       BETWEEN (y.cy - 1) * 100 + 4 AND y.cy * 100 + 3)) AS "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
       e.clae_rhi_offered AS "Was the child offered a Return Interview after their last missing episode (Y/N)?",
       e.clae_rhi_accepted AS "Did the child accept a Return Interview after their last missing episode (Y/N)?",
       e.clae_allocated_team AS "Allocated Team",
       e.clae_allocated_worker AS "Allocated Worker"
FROM ssd_cla_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM ssd_cla_episodes e2 JOIN hw_loads l2 ON l2.load_id = e2.hw_load_id
      WHERE l2.source_return <> 'annex_a') y ON l.collection_year = y.cy
LEFT JOIN (SELECT pers_person_id, MAX(pers_sex) AS sex, MAX(pers_ethnicity) AS ethnicity, MAX(pers_dob) AS dob
           FROM ssd_person GROUP BY pers_person_id) p ON p.pers_person_id = e.clae_person_id
LEFT JOIN (SELECT disa_person_id, MAX(CASE WHEN UPPER(TRIM(disa_disability_code)) = 'NONE' THEN 'No' ELSE 'Yes' END) AS disabled
           FROM ssd_disability GROUP BY disa_person_id) d ON d.disa_person_id = e.clae_person_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM e.clae_cla_episode_start_date) * 100 + EXTRACT(MONTH FROM e.clae_cla_episode_start_date) <= y.cy * 100 + 3
  AND (e.clae_cla_episode_ceased_date IS NULL
       OR EXTRACT(YEAR FROM e.clae_cla_episode_ceased_date) * 100 + EXTRACT(MONTH FROM e.clae_cla_episode_ceased_date)
          >= (y.cy - 1) * 100 + 10)
  AND NOT EXISTS (SELECT 1 FROM ssd_cla_episodes later
                  WHERE later.hw_load_id = e.hw_load_id
                    AND later.clae_person_id = e.clae_person_id
                    AND later.clae_cla_episode_start_date > e.clae_cla_episode_start_date)
ORDER BY e.clae_person_id
