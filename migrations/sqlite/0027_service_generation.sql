-- The dashboard shows the SME service platform's deliveries by county beside the plan's
-- targets, and keeps what it shows while the data generation stays (see 0024): deliveries
-- and instrument bookings now move it on too, so a server need not count them per request
-- to stay exactly as fresh.
CREATE TRIGGER service_requests_insert_data_generation AFTER INSERT ON service_requests
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER service_requests_update_data_generation AFTER UPDATE ON service_requests
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER service_requests_delete_data_generation AFTER DELETE ON service_requests
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER instrument_bookings_insert_data_generation AFTER INSERT ON instrument_bookings
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER instrument_bookings_update_data_generation AFTER UPDATE ON instrument_bookings
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER instrument_bookings_delete_data_generation AFTER DELETE ON instrument_bookings
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
