-- Annex A list 11: adopters. Only Annex A itself carries adopters (hw_adopters), so this list
-- reads the latest Annex A loaded: adopters in the process at some time in the twelve months to
-- 31 March of that collection year.
SELECT a.adop_adopter_id AS "Individual adopter identifier",
       a.adop_family_id AS "Family identifier",
       a.adop_gender AS "Gender",
       a.adop_ethnicity AS "Ethnicity",
       a.adop_disability AS "Disability",
       a.adop_fostering_for_adoption AS "Is the (prospective) adopter fostering for adoption?",
       a.adop_enquiry_date AS "Date enquiry received",
       a.adop_stage1_start_date AS "Date Stage 1 started",
       a.adop_stage1_end_date AS "Date Stage 1 ended",
       a.adop_stage2_start_date AS "Date Stage 2 started",
       a.adop_stage2_end_date AS "Date Stage 2 ended",
       a.adop_application_date AS "Date application submitted",
       a.adop_approval_date AS "Date application approved",
       a.adop_matched_date AS "Date adopter matched with child(ren)",
       a.adop_placed_date AS "Date child/children placed with adopter(s)",
       a.adop_children_placed AS "No. of children placed",
       a.adop_adoption_order_date AS "Date of Adoption Order",
       a.adop_left_process_date AS "Date of leaving adoption process",
       a.adop_left_process_reason AS "Reason for leaving adoption process"
FROM hw_adopters a
JOIN hw_loads l ON l.load_id = a.hw_load_id
JOIN (SELECT MAX(l2.collection_year) AS cy
      FROM hw_adopters a2 JOIN hw_loads l2 ON l2.load_id = a2.hw_load_id) y ON l.collection_year = y.cy
WHERE (a.adop_enquiry_date IS NULL
       OR EXTRACT(YEAR FROM a.adop_enquiry_date) * 100 + EXTRACT(MONTH FROM a.adop_enquiry_date) <= y.cy * 100 + 3)
  AND (a.adop_left_process_date IS NULL
       OR EXTRACT(YEAR FROM a.adop_left_process_date) * 100 + EXTRACT(MONTH FROM a.adop_left_process_date)
          >= (y.cy - 1) * 100 + 4)
  AND (a.adop_adoption_order_date IS NULL
       OR EXTRACT(YEAR FROM a.adop_adoption_order_date) * 100 + EXTRACT(MONTH FROM a.adop_adoption_order_date)
          >= (y.cy - 1) * 100 + 4)
ORDER BY a.adop_family_id, a.adop_adopter_id
